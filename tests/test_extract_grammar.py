"""The rules of issue 17, each on the words it is about: forms generated
from roots, the sub-event type weighed by ACLED's definitions, deaths as a
small grammar, actors in ACLED's naming, the most specific place. Every
report here is written for the test; none is copied from a corpus."""

import datetime as dt

import pytest

from extract import lexicons, rules
from extract.draft import draft_events
from extract.morphology import arabic_forms, english_forms
from extract.text import Report
from geo.geocoder import OfflineGeocoder

PUBLISHED = dt.date(2024, 5, 10)


@pytest.fixture(scope="module")
def geocoder():
    return OfflineGeocoder()


def _draft(text, geocoder):
    return draft_events(text, PUBLISHED, geocoder)[0]


def test_one_root_gives_the_forms_a_report_writes():
    forms = arabic_forms("قتل", ["I"], ["مقتل", "قتلى"])  # written as geo.normalise folds them: قتلى -> قتلي
    assert {"قتل", "قتلت", "قتلوا", "قتلوه", "يقتل", "تقتل", "يقتلون", "مقتل", "مقتله", "المقتل", "قتلي"} <= forms
    assert {"اعتقل", "اعتقال", "اعتقالهم", "يعتقل", "معتقل"} <= arabic_forms("عقل", ["VIII"])
    assert {"استهدف", "استهداف", "يستهدف", "مستهدف"} <= arabic_forms("هدف", ["X"])
    assert "اصطدم" in arabic_forms("صدم", ["VIII"])  # ت after an emphatic letter is ط


def test_english_verbs_come_with_their_inflections():
    assert english_forms("shell") >= {"shell", "shells", "shelled", "shelling"}
    assert english_forms("kidnap") >= {"kidnapped", "kidnapping"}
    assert english_forms("set fire") >= {"set fire", "sets fire"}


@pytest.mark.parametrize("word", ["قتل", "قُتل", "مقتل", "لمقتله", "يقتل", "وقتلوا"])
def test_every_form_of_kill_is_read_with_its_clitics(word):
    [hit] = Report(word).find(lexicons.death_words())
    assert hit.value == "death" and word.endswith(hit.span.text)


@pytest.mark.parametrize("text, deaths", [
    ("قضى ثلاثة أشخاص جراء قصف مدفعي على بلدة سراقب", 3),
    ("أسفر القصف عن مقتل عنصرين من قوات النظام", 2),
    ("اندلعت اشتباكات قُتل خلالها خمسة عناصر من قوات النظام وثلاثة مقاتلين من الفصائل", 8),
    ("قتلت امرأة وطفلها بغارة جوية على بلدة كفرنبل", 2),
    ("ما أسفر عن مقتل شخص وإصابة آخرين", 1),
    ("وثق المرصد مقتل ٧ مدنيين، بينهم طفلان وامرأة", 7),
    ("Dozens of fighters were killed in clashes near Tadmur.", 12),
    ("Three SDF fighters and two Islamic State militants were killed in clashes.", 5),
    ("Shelling hit the town, killing a woman and three children and injuring ten others.", 4),
    ("An IED exploded, killing him and 3 of his escorts.", 4),
    ("One person died and five were injured.", 1),
    ("Between 16 and 25 people were killed.", 16),
    ("2-3 militants were shot dead.", 2),
    ("The shelling wounded five civilians.", 0),
    ("Shells fell on the village; no one was killed.", 0),
    ("عشرات القتلى في غارات على ريف إدلب", 10),
    ("Hundreds of people were killed.", 100),
    # A period after a lone letter is an initial, so the group goes on past it.
    ("قتل مسلحون المختار (أ. ح) وابنه في قرية قرب السلمية", 2),
    # "died of his wounds": the pronoun of the wounds is the one who died.
    ("أصيب راعٍ بانفجار لغم في أرض زراعية، وتوفي متأثراً بجراحه بعد يومين", 1),
    ("A farmer was wounded by a mine near Nawa and later died of his wounds.", 1),
    # A singular noun of the dead names one, beside the counts of the same fight.
    ("قتل سبعة مسلحين في الهجوم على الحاجز، فيما ارتقى شهيد من عناصره", 8),
    # An apposition between commas names the one counted before it; the group goes on after it.
    ("A bomb exploded in Tafas, killing the driver, a member of a local faction, and three passers-by.", 4),
    ("Gunmen shot dead a teacher, a father of four, in Jasim.", 1),
    # A vague figure told again is the same dead told twice.
    ("Dozens killed as gunmen attack checkpoints near Baniyas. The clashes killed dozens of policemen.", 12),
    ("قتل عشرات المدنيين في قصف على بلدة سرمين، وأفاد ناشطون بمقتل عشرات المدنيين", 10),
    # The toll of one event that rose to a figure is that event's total.
    ("ارتفع عدد ضحايا انفجار السيارة المفخخة في مدينة إعزاز إلى ٩ قتلى بعد وفاة اثنين من الجرحى", 9),
    ("The toll of the blast in Azaz rose to 6 dead after two of the wounded died.", 6),
])
def test_deaths_are_counted_by_a_small_grammar(text, deaths, geocoder):
    assert _draft(text, geocoder)["fatalities"] == deaths


def test_every_summed_span_is_evidence(geocoder):
    text = "Gunmen attacked the village, killing two farmers. Later three soldiers were killed in an ambush."
    draft = _draft(text, geocoder)
    assert draft["fatalities"] == 5
    assert [span["text"] for span in draft["evidence"]["fatalities"]] == ["killing two", "three soldiers were killed"]


@pytest.mark.parametrize("text, sub_event_type", [
    ("اعتقلت قوات النظام ثلاثة شبان في مدينة دوما", "Arrests"),
    ("اختطف مسلحون مجهولون طفلاً في بلدة طفس", "Abduction/forced disappearance"),
    ("قُتل شاب برصاص مسلحين مجهولين في مدينة درعا", "Attack"),
    ("Protesters stormed and set fire to a government building in Suwayda.", "Violent demonstration"),
    ("Gunmen attacked an army checkpoint near Daraa, killing two soldiers.", "Armed clash"),
    ("خرج مئات المحتجين في مدينة السويداء للمطالبة بإسقاط النظام", "Peaceful protest"),
    ("قُتل طفل بانفجار لغم أرضي في ريف حماة الشرقي", "Remote explosive/landmine/IED"),
    ("An unexploded shell went off in a field near Saraqib, killing a child.", "Remote explosive/landmine/IED"),
    ("A landmine left from previous clashes exploded near Tadmur.", "Remote explosive/landmine/IED"),
    ("Security forces fired tear gas to disperse a protest in Daraa.", "Protest with intervention"),
    ("Soldiers opened fire on a peaceful demonstration, killing a teenager.", "Excessive force against protesters"),
    ("Residents gathered in front of the town hall to demand electricity.", "Peaceful protest"),
    ("A mob lynched a man accused of theft.", "Mob violence"),
    ("Air defences intercepted two drones over Hama.", "Disrupted weapons use"),
    ("أقام الجيش التركي نقطة عسكرية جديدة قرب قرية تقاد", "Headquarters or base established"),
    ("A suicide car bomber struck a checkpoint, killing four soldiers.", "Suicide bomb"),
    ("The weather was pleasant today.", None),
    # A written word comes with the article, or without it: الاعتقالات is اعتقالات.
    ("نظم الأهالي وقفة للتنديد بالاعتقالات في بلدة الكرك", "Peaceful protest"),
    ("فضت قوات الأمن بالهراوات اعتصاماً للطلاب أمام الجامعة", "Protest with intervention"),
    # Ordnance left from earlier shelling is a remnant, not shelling.
    ("انفجر جسم من مخلفات القصف بأطفال في بلدة سرمين", "Remote explosive/landmine/IED"),
    # An attack repelled is a fight.
    ("تصدت الفصائل لهجوم قوات النظام على محور الفطيرة", "Armed clash"),
    # An attempt to advance took nothing.
    ("قتل عنصران في اشتباكات مع قوات النظام التي حاولت التقدم على محور الكبينة", "Armed clash"),
    # A place handed over under an agreement is the handover.
    ("تسلمت قوات النظام مواقع من قسد بموجب اتفاق دون قتال", "Non-violent transfer of territory"),
    ("توصل الطرفان إلى اتفاق يقضي بانسحاب المقاتلين", "Agreement"),
    # A weapons cache found is a change to the group's activity.
    ("عثرت قوى الأمن على مستودع أسلحة في بلدة الشدادي", "Change to group/activity"),
    # People who found a body did not kill him.
    ("عثر الأهالي على جثة شاب مقتولاً بالرصاص قرب الصنمين", "Attack"),
    # What someone was accused of is not what happened to him.
    ("تجمع عدد من الأهالي وضربوا لصاً متهماً بالتحرش حتى الموت", "Mob violence"),
    # The detained named as people are not an arrest (أهالي المعتقلين).
    ("تجمع ذوو المعتقلين أمام القصر العدلي مطالبين بالكشف عن مصير أبنائهم", "Peaceful protest"),
    # A protester killed, named right after the death word.
    ("قتل متظاهر برصاص قوات الأمن خلال مظاهرة في بلدة نوى", "Excessive force against protesters"),
    # A bomb thrown by hand is a grenade.
    ("أصيب شخصان إثر إلقاء قنبلة على محل في مدينة جاسم", "Grenade"),
    # Rockets seized were never fired.
    ("صادرت قوى الأمن شحنة صواريخ في طريقها إلى البادية", "Disrupted weapons use"),
    # Houses blown up are property destroyed.
    ("فجرت قوات النظام منازل المهجرين في بلدة الكرك", "Looting/property destruction"),
    # A brawl between families is a crowd's violence.
    ("اندلع شجار بين عائلتين في بلدة المسيفرة", "Mob violence"),
    # A release in exchange for a release is a prisoner exchange.
    ("أفرجت الفصائل عن ثلاثة جنود مقابل إطلاق سراح معتقلين", "Agreement"),
    # What did not happen is no event: a handover "without any clashes".
    ("سلمت قسد عدداً من القرى لقوات النظام بموجب تفاهمات، دون أي اشتباكات", "Non-violent transfer of territory"),
    # Deaths a protest was against are what it was about.
    ("خرجت مظاهرة في مدينة الأتارب احتجاجاً على مقتل ثلاثة مدنيين بغارة", "Peaceful protest"),
    # A crowd beating a policeman: the armed man after the verb is whom they beat.
    ("أقدم عدد من الأهالي على ضرب عنصر من الشرطة وطرده من البلدة", "Mob violence"),
    ("وثقت منظمة تعرض نساء لاعتداءات جنسية في مركز احتجاز", "Sexual violence"),
    ("حولت الميليشيات مبنى المدرسة في بلدة حطلة إلى مقر عسكري لها", "Headquarters or base established"),
    # A beating at the hands of armed men is their attack, not a mob's.
    ("تعرض رجل مسن للضرب المبرح على يد عناصر حاجز تابع للفرقة الرابعة", "Attack"),
    # What a demonstration demands (إسقاط النظام) was not done to anything.
    ("رفع المحتجون في ساحة الكرامة لافتات تطالب بإسقاط النظام", "Peaceful protest"),
    # Deaths in the sentence of fire opened on a demonstration.
    ("قتل شاب وجرح آخرون بعد أن فتح عناصر حاجز النار على مظاهرة في بلدة الصنمين",
     "Excessive force against protesters"),
    # Demonstrators who clash with the police riot.
    ("اشتبك متظاهرون بالحجارة مع عناصر الشرطة في مدينة السويداء", "Violent demonstration"),
    # A noun's own ن stays before a pronoun: كمية (a quantity) is no ambush.
    ("أحبطت الأجهزة الأمنية محاولة تهريب كمية من الأسلحة", "Disrupted weapons use"),
    # A town's name is the town: تدمر is Tadmur, not "she destroys".
    ("دخلت قوات النظام مدينة تدمر بعد انسحاب التنظيم منها", "Non-violent transfer of territory"),
    # The subject right after an Arabic verb of attack attacked: the gunmen are no target of the bullets.
    ("استهدف مسلحون مجهولون بالرصاص سيارة عضو في لجنة المصالحة ما أدى لمقتله", "Attack"),
    ("قتل قيادي في حزب الله بضربة إسرائيلية استهدفت سيارته", "Air/drone strike"),
    ("أعلن قائد فصيل أحرار الشام استقالته من منصبه", "Change to group/activity"),
    ("أطلق حرس الحدود التركي النار على لاجئين أثناء عبورهم الحدود ما أدى لمقتل اثنين", "Attack"),
    ("استهدفت مسيرة مفخخة موقعاً للفصائل في ريف الباب", "Air/drone strike"),
    ("أقدم عدد من الأشخاص على الاعتداء بالضرب على طبيب في مشفى حماة", "Mob violence"),
    # What is prepared for did not happen.
    ("استقدمت قسد تعزيزات عسكرية إلى منبج تحسباً لهجوم تركي", "Change to group/activity"),
    # Forces deployed where the other side withdrew took the place over.
    ("انتشرت قوات النظام في مدينة منبج بعد انسحاب قسد منها", "Non-violent transfer of territory"),
    ("بسطت وحدات الجيش سيطرتها على قرى في ريف حماة بعد القضاء على آخر تجمعات المسلحين فيها",
     "Government regains territory"),
    # An arrest is the state's; people detained by a non-state group are abducted (the definitions).
    ("اعتقلت هيئة تحرير الشام ناشطاً من منزله في مدينة سرمدا", "Abduction/forced disappearance"),
    ("اعتقلت قوات النظام ناشطاً من منزله في مدينة جبلة", "Arrests"),
    # The subject of قام / أقدم did what the verbal noun after it names; stones thrown by a crowd.
    ("قام أهالي قرية بطرد دورية روسية ورشقها بالحجارة", "Mob violence"),
    ("حطم محتجون غاضبون واجهات مبنى المجلس المحلي في مدينة الباب", "Violent demonstration"),
    # An accusation with no act done to the accused in its sentence reports what was done.
    ("Gunmen were accused of raping a girl in a village near Tafas, a rights group said.", "Sexual violence"),
    ("Police arrested a man on charges of murder in Salamiyah.", "Arrests"),
    # The adverb names the kind of the assault.
    ("اعتدى مسلحان جنسياً على فتاة في ريف الحسكة", "Sexual violence"),
    # A mass grave found holds earlier deaths: the finding is the event.
    ("عثر الأهالي على مقبرة جماعية تضم رفات عشرات الأشخاص قتلوا قبل سنوات قرب مدينة تدمر", "Other"),
    ("Workers uncovered a mass grave holding the remains of 15 people killed years ago near Raqqa.", "Other"),
    # A weapon that killed was not stopped by the interception told beside it.
    ("Israeli warplanes struck an airport near Homs, killing two soldiers; air defences downed some missiles.",
     "Air/drone strike"),
    ("A roadside bomb exploded near Busra, killing a soldier; a second device was defused.",
     "Remote explosive/landmine/IED"),
    # A negation reaches over a word saying what occurred: "من دون تسجيل إصابات", "without a shot".
    ("فككت فرق الهندسة عبوة ناسفة قرب دوار في مدينة الباب قبل انفجارها، من دون تسجيل إصابات",
     "Disrupted weapons use"),
    # What was planned did not happen; a status held is no event.
    ("Police arrested four men who were plotting attacks in Homs.", "Arrests"),
    ("اعتقلت قوات النظام خمسة شبان بينهم اثنان من حملة بطاقات التسوية في مدينة نوى", "Arrests"),
    # People who are no armed group, shot at by forces, are civilians attacked.
    ("أطلق عناصر الأمن العسكري النار على مجموعة من الشبان قرب حاجز في ريف درعا فقتل أحدهم", "Attack"),
    # A group's change: dissolved, merged, its leader removed from his post.
    ("The group announced it would disband and merge its fighters into the army.", "Change to group/activity"),
    ("أعلن الفصيل إقالة قائده من منصبه وتعيين قيادة جديدة", "Change to group/activity"),
    ("أعلنت الفصائل حل نفسها واندماجها في وزارة الدفاع", "Change to group/activity"),
    # Trees cut (the cutters named between the verb and the trees) are property destroyed.
    ("قطع مسلحون من أحد الفصائل عشرات أشجار الزيتون في قرية قرب جنديرس", "Looting/property destruction"),
    ("Militiamen cut down hundreds of olive trees in a village near Afrin.", "Looting/property destruction"),
    # A state named by its nationality or its name strikes from the air.
    ("Israel struck a military site near Kisweh late on Tuesday, state media said.", "Air/drone strike"),
    ("Turkish strikes hit two villages near Tal Rifaat, wounding a child.", "Air/drone strike"),
    # A military "strike" conducted is an air strike, not a workers' strike.
    ("US forces conducted a strike near Al-Mayadin, killing two IS members.", "Air/drone strike"),
    # A police body's detention is an arrest, a non-state group's other detentions abductions.
    ("أوقفت الشرطة العسكرية في مدينة أعزاز ثلاثة شبان بتهمة السرقة", "Arrests"),
    ("اعتقلت هيئة تحرير الشام ناشطاً إعلامياً في مدينة إدلب", "Abduction/forced disappearance"),
    # The defence ministry speaks for the state's forces.
    ("أعلنت وزارة الدفاع السورية استعادة السيطرة على بلدة كفرنبودة بعد معارك", "Government regains territory"),
])
def test_the_sub_event_type_follows_the_definitions(text, sub_event_type, geocoder):
    assert _draft(text, geocoder)["sub_event_type"] == sub_event_type


@pytest.mark.parametrize("text, actor1", [
    ("A Russian airstrike hit a house near Sarmada, killing three civilians.", "Military Forces of Russia"),
    ("قصفت قسد مواقع للجيش الوطني في ريف منبج", "QSD: Syrian Democratic Forces"),
    ("JWS which operates under OPS shelled QSD positions near Tal Tamr.", "Operation Peace Spring"),
    ("A civilian was shot dead by unknown gunmen in Daraa.", "Unidentified Armed Group (Syria)"),
    ("قُتل مدني برصاص قوات النظام في درعا", "Military Forces of Syria"),
    ("Youths stormed the building and set fire to it in protest against power cuts.", "Rioters (Syria)"),
    ("The shelling is reported to have hit Saraqib.", "Unidentified Armed Group (Syria)"),  # "is" is not IS
    # An Arabic force noun takes the article with its adjective: الطائرات الحربية الروسية.
    ("أغارت الطائرات المسيرة الروسية على مزرعة قرب بلدة البارة", "Military Forces of Russia"),
    ("قصفت المدفعية التركية قرية في ريف تل تمر", "Military Forces of Turkey"),
    # The construct "forces of the occupation" carries the occupier's adjective after its genitive.
    ("قصفت مدفعية الاحتلال التركي أطراف قرية في ريف عين عيسى", "Military Forces of Turkey"),
    ("استهدفت مسيرة تابعة لجيش الاحتلال الإسرائيلي سيارة قرب القنيطرة", "Military Forces of Israel"),
    # Attribution names the author as a claim does; the target named is not the author.
    ("Mortar rounds attributed to Assad forces fell on a market in Atarib.", "Military Forces of Syria"),
    ("استهدفت غارة مجهولة موقعاً لميليشيا حزب الله قرب القصير، ويعتقد أن إسرائيل تقف خلفها",
     "Military Forces of Israel"),
    # The doer of "an attack launched by ..." (هجوم شنّه ...).
    ("قُتل عنصران من قوات النظام في هجوم شنه مقاتلو العشائر على حاجز قرب الميادين",
     "Unidentified Tribal Militia (Syria)"),
    ("Tribal fighters attacked an SDF checkpoint near Al-Busayrah.", "Unidentified Tribal Militia (Syria)"),
    ("The Interior Ministry said its forces arrested three men in Homs.", "Police Forces of Syria"),
    ("أعلنت وزارة الداخلية القبض على أربعة أشخاص في مدينة حماة", "Police Forces of Syria"),
    # Who only told of it, after the event ("..., the ministry said"), is the source.
    ("Gunmen attacked a police checkpoint near Daraa, killing two officers, the Interior Ministry said.",
     "Unidentified Armed Group (Syria)"),
    # The side whose attack was repelled began the battle.
    ("تصدت قوات النظام لهجوم عناصر من تنظيم الدولة على نقطة عسكرية في بادية السخنة", "Islamic State (Syria)"),
    ("Syrian army units repelled an attack by Hayat Tahrir al-Sham fighters near Kafr Nabl.",
     "HTS: Hayat Tahrir al Sham"),
])
def test_actors_in_acleds_naming(text, actor1, geocoder):
    assert _draft(text, geocoder)["actor1"] == actor1


def test_an_outlet_is_not_an_actor_nor_a_place(geocoder):
    draft = _draft("Israeli missiles struck positions near Damascus airport, SANA said.", geocoder)
    assert (draft["source"], draft["admin1"], draft["actor1"]) == ("SANA", "Rural Damascus",
                                                                 "Military Forces of Israel")


def test_the_most_specific_place_wins_over_the_area_around_it(geocoder):
    draft = _draft("A Russian airstrike hit a house near Sarmada, in northern Idlib.", geocoder)
    assert (draft["location"], draft["geo_precision"]) == ("Sarmada", 2)


def test_a_village_the_gazetteer_does_not_know_gives_its_area_and_a_flag_naming_it(geocoder):
    text = "قصفت قوات النظام بلدة الزعفرانية المنسية بريف درعا الغربي"  # no such village
    draft = _draft(text, geocoder)
    assert (draft["admin1"], draft["geo_precision"]) == ("Dar'a", 3)
    [flag] = draft["flags"]
    assert "الزعفرانيه المنسيه" in flag and "is not in the gazetteer" in flag


@pytest.mark.parametrize("text, place", [
    # A capital named as the area of a place of its governorate is the governorate.
    ("Unknown gunmen killed a teacher in Sarmada town in Idleb countryside.", ("Sarmada", "Idleb", 1)),
    # Where forces came from is not where the event is.
    ("Government reinforcements moved from Damascus to Albu Kamal city in Deir ez Zor.",
     ("Albu Kamal", "Deir-ez-Zor", 1)),
    ("A patrol set out from Al-Omar oil field in Deir ez Zor countryside.", ("Al-Omar oil field", "Deir-ez-Zor", 1)),
    # A name a unit word follows is a group, not a place (Hamza, not Hamah).
    ("A trader was detained for paying royalties on behalf of Hamza brigade.", (None, None, None)),
    # The name without the word for what it is, among the area's places (Athriya, in Hama).
    ("Warplanes struck positions in Ithariyah badia in Hama countryside.", ("Athriya", "Hama", 1)),
    # A capitalised name is not cut inside ("Sulayman" alone is Salman, elsewhere).
    ("Gunmen opened fire on a car in Sulayman Sari town in Al Hasakeh countryside.",
     ("Mazra`at Sulayman Sari", "Al-Hasakeh", 2)),
    # The capital's name alone, or called the city, is the city.
    ("Gunmen killed a man in Hama city.", ("Hamah", "Hama", 1)),
])
def test_the_place_of_the_event_among_the_places_named(text, place, geocoder):
    draft = _draft(text, geocoder)
    assert (draft["location"], draft["admin1"], draft["geo_precision"]) == place


@pytest.mark.parametrize("text, village, area", [
    # The area's name keeps its article words ("Deir ez Zor", not "Deir").
    ("Gunmen killed a shepherd in Qalqoush village in Deir ez Zor countryside.", "qalqoush", "Deir-ez-Zor"),
    # After a group's name the area still names the village.
    ("Clashes broke out between Ahrar al Sham and Jaysh al Islam in Qalqoush village in Idleb governorate.",
     "qalqoush", "Idleb"),
    # A descriptor is read whole ("plains", not "plain" and an "s").
    ("Two bodies were found in Qalqoush plains in Dara countryside.", "qalqoush plains", "Dar'a"),
])
def test_an_unknown_village_in_english_is_flagged_with_its_area(text, village, area, geocoder):
    draft = _draft(text, geocoder)
    assert (draft["location"], draft["admin1"], draft["geo_precision"]) == (area, area, 3)
    [flag] = draft["flags"]
    assert f"'{village}' is not in the gazetteer" in flag


def test_a_separate_incident_is_an_event_of_its_own(geocoder):
    text = "قتل مدني برصاص مجهولين في مدينة الميادين، وفي حادثة منفصلة انفجر لغم أرضي بسيارة في بادية البوكمال."
    assert [d["sub_event_type"] for d in draft_events(text, PUBLISHED, geocoder)] == [
        "Attack", "Remote explosive/landmine/IED"]


def test_a_death_later_of_wounds_stays_with_its_event(geocoder):
    text = ("هاجم مسلحون حاجزاً في مدينة شهبا، ما أدى إلى مقتل عنصر من الحاجز، "
            "فيما توفي أحد المسلحين في وقت لاحق متأثراً بجروح أصيب بها خلال تبادل إطلاق النار.")
    drafts = draft_events(text, PUBLISHED, geocoder)
    assert len(drafts) == 1 and drafts[0]["fatalities"] == 2


def test_actor_type_knows_a_name_with_or_without_acleds_abbreviation():
    assert lexicons.actor_type("HTS: Hayat Tahrir al Sham") == lexicons.actor_type("Hayat Tahrir al-Sham") == (
        "Rebel group")
    assert lexicons.actor_type("Islamic State") == "Rebel group"
    assert lexicons.actor_type("Nobody We Know") is None


def test_a_name_inside_an_actor_is_no_event_word():
    # The تحرير (liberation) of هيئة تحرير الشام takes no territory.
    found = rules.find_sub_event_type(Report("شن مقاتلو هيئة تحرير الشام هجوما على مواقع قوات النظام"))
    assert found[0].value == "Armed clash"


@pytest.mark.parametrize("text, day", [
    # A dateline's date is the report's; the story's own day comes first.
    ("DAMASCUS, May 9 (agency) - Shells hit Douma late on Wednesday, killing two civilians.", dt.date(2024, 5, 8)),
    # A day the report was told on ("said on Friday") dates the telling, not the event.
    ("The Observatory said on Friday that a drone struck a car near Sarmada on Wednesday.", dt.date(2024, 5, 8)),
    ("قتل شاب برصاص مجهولين في مدينة جاسم الليلة الماضية", dt.date(2024, 5, 9)),
])
def test_the_event_date_is_the_storys_own(text, day, geocoder):
    assert _draft(text, geocoder)["event_date"] == day


def test_a_death_told_meanwhile_with_no_act_of_its_own_stays_in_its_event(geocoder):
    text = "اشتبكت فصائل المعارضة مع قوات النظام على محور كبانة، ما أدى إلى مقتل أربعة عناصر، فيما قضى مقاتل آخر"
    drafts = draft_events(text, PUBLISHED, geocoder)
    assert len(drafts) == 1 and drafts[0]["fatalities"] == 5


def test_a_running_total_told_after_the_event_is_no_event_of_its_own(geocoder):
    text = ("قُتل ثلاثة عناصر من قسد في هجوم على حاجز في بلدة الشحيل، في حين ارتفعت حصيلة القتلى منذ بدء "
            "المواجهات إلى ٤٠ قتيلاً")
    drafts = draft_events(text, PUBLISHED, geocoder)
    assert len(drafts) == 1 and drafts[0]["fatalities"] == 3
